#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the files to read under the given paths, in the order they must be read.
public struct Discovery: Sendable {
    public struct Result: Sendable {
        /// Files to read, ordered by the time in their names (then path).
        public var files: [InputFile] = []
        public var setAside: [SetAsideFile] = []
        /// Paths and folders that could not be walked.
        public var diagnostics: [Diagnostic] = []
        /// Files the walk found: read + set aside (files named twice count once).
        public var seen: Int { files.count + setAside.count }
    }

    public let options: ReaderOptions

    public init(options: ReaderOptions) { self.options = options }

    struct FileID: Hashable {
        let dev: UInt64
        let ino: UInt64
    }

    /// Walks `paths` (files, folders, or `-` for standard input). Never throws: problems become diagnostics.
    public func discover(_ paths: [String]) -> Result {
        var result = Result()
        var visitedFolders = Set<FileID>()
        var seenFiles = Set<FileID>()
        var candidates: [(path: [UInt8], explicit: Bool)] = []
        var stdin = false

        for path in paths {
            if path == InputFile.stdinPath {
                stdin = true
                continue
            }
            let bytes = Array(path.utf8)
            var st = stat()
            guard Self.statPath(bytes, &st) == 0 else {
                result.diagnostics.append(
                    Diagnostic(.missingPath, path: path, message: String(cString: strerror(errno))))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(bytes, &visitedFolders, &candidates, &result)
            } else {
                candidates.append((bytes, true))
            }
        }

        for (bytes, explicit) in candidates {
            let display = InputFile.display(bytes)
            var st = stat()
            if Self.statPath(bytes, &st) == 0 {
                let id = FileID(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))
                if !seenFiles.insert(id).inserted { continue }  // the same file named twice is read once
                if !explicit && (st.st_mode & S_IFMT) != S_IFREG {
                    // FIFOs, sockets and devices in a tree are never opened (a FIFO would block the walk).
                    result.setAside.append(SetAsideFile(path: display, reason: .notLogFile))
                    continue
                }
            }
            // A dangling link or a file that vanished is kept: reading it reports why it cannot be read.
            let name = display.split(separator: "/").last.map(String.init) ?? display
            let info = LogPath(display)
            if info.isDigest {
                result.setAside.append(SetAsideFile(path: display, reason: .digest))
                continue
            }
            if !explicit && !LogPath.isLogFileName(name) {
                result.setAside.append(SetAsideFile(path: display, reason: .notLogFile))
                continue
            }
            if !passesPathFilters(info) {
                result.setAside.append(SetAsideFile(path: display, reason: .filtered))
                continue
            }
            result.files.append(
                InputFile(
                    pathBytes: bytes, account: info.account, region: info.region, nameTime: info.nameTime,
                    folderDay: info.folderDay))
        }
        result.files.sort { a, b in
            let ta = a.orderTime ?? Int64.min
            let tb = b.orderTime ?? Int64.min
            return ta != tb ? ta < tb : a.pathBytes.lexicographicallyPrecedes(b.pathBytes)
        }
        if stdin { result.files.insert(InputFile(path: InputFile.stdinPath), at: 0) }
        result.setAside.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return result
    }

    static func statPath(_ path: [UInt8], _ st: inout stat) -> Int32 {
        (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &st) }
        }
    }

    func passesPathFilters(_ info: LogPath) -> Bool {
        // Only a path in AWS's own layout, folder and name agreeing, is trusted to skip a file unread.
        if !options.accounts.isEmpty, info.accountConfirmed, let account = info.account, !options.accounts.contains(account) {
            return false
        }
        if !options.regions.isEmpty, info.regionConfirmed, let region = info.region, !options.regions.contains(region) {
            return false
        }
        if let t = info.nameTime {
            if !options.mayContain(deliveredAt: t) { return false }
        } else if let day = info.folderDay, !options.mayContain(day: day) {
            return false
        }
        return true
    }

    /// Depth-first walk; each folder is entered once (by device and inode), so symlink loops end. Paths are bytes:
    /// file names need not be UTF-8.
    func walk(
        _ root: [UInt8], _ visited: inout Set<FileID>, _ out: inout [(path: [UInt8], explicit: Bool)],
        _ result: inout Result
    ) {
        var pending = [root]
        while let folder = pending.popLast() {
            var st = stat()
            guard Self.statPath(folder, &st) == 0 else {
                result.diagnostics.append(
                    Diagnostic(.unreadableFolder, path: InputFile.display(folder), message: String(cString: strerror(errno))))
                continue
            }
            guard visited.insert(FileID(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))).inserted else { continue }
            let dir = (folder + [0]).withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) }
            }
            guard let dir else {
                result.diagnostics.append(
                    Diagnostic(.unreadableFolder, path: InputFile.display(folder), message: String(cString: strerror(errno))))
                continue
            }
            var subfolders: [[UInt8]] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
                if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                let path = folder.last == 0x2F ? folder + name : folder + [0x2F] + name
                var isDir = Int32(entry.pointee.d_type) == Int32(DT_DIR)
                if Int32(entry.pointee.d_type) == Int32(DT_LNK) || Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                    var target = stat()
                    isDir = Self.statPath(path, &target) == 0 && (target.st_mode & S_IFMT) == S_IFDIR
                }
                if isDir { subfolders.append(path) } else { out.append((path, false)) }
            }
            closedir(dir)
            pending.append(contentsOf: subfolders.sorted { $0.lexicographicallyPrecedes($1) }.reversed())
        }
    }
}
