import Foundation
import Testing

@testable import TrailOutput

/// `--output FILE`: only a regular file (or nothing) is replaced, and a failed write leaves the old file as it was.
@Suite struct OutputFileTests {
    func folder() throws -> URL { try temporaryFolder() }

    /// The names in `folder` (temporary files left behind would show here).
    func names(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func refusal(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            try AtomicFile.write(Array("new findings\n".utf8), to: path)
            return nil
        } catch {
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("cannot write \(path): "), sourceLocation: sourceLocation)
            return error.reason
        }
    }

    @Test func aRegularFileIsReplacedAndKeepsItsPermissions() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("findings.jsonl").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o640) == 0)
        try AtomicFile.write(Array("new\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        var st = stat()
        #expect(lstat(path, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(try names(dir) == ["findings.jsonl"])
        try AtomicFile.write(Array("fresh\n".utf8), to: dir.appendingPathComponent("new.jsonl").path)
        #expect(try names(dir) == ["findings.jsonl", "new.jsonl"])
    }

    @Test func aSymlinkToAFileIsRefusedAndLeftAlone() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("someone-elses.rc").path
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: target))
        let link = dir.appendingPathComponent("findings.jsonl").path
        #expect(symlink(target, link) == 0)
        let reason = try #require(refusal(link))
        #expect(reason.contains("a symbolic link, not a regular file"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
        #expect(try names(dir) == ["findings.jsonl", "someone-elses.rc"])
    }

    @Test func aSymlinkToADeviceADanglingSymlinkAFIFOAndAFolderAreRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let toNull = dir.appendingPathComponent("null").path
        #expect(symlink("/dev/null", toNull) == 0)
        #expect(try #require(refusal(toNull)).contains("a symbolic link"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: toNull) == "/dev/null")

        let dangling = dir.appendingPathComponent("dangling").path
        #expect(symlink(dir.appendingPathComponent("nowhere").path, dangling) == 0)
        #expect(try #require(refusal(dangling)).contains("a symbolic link"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("nowhere").path))

        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(try #require(refusal(fifo)).contains("a FIFO (named pipe), not a regular file"))

        let sub = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        #expect(try #require(refusal(sub.path)).contains("a folder, not a regular file"))
        #expect(try #require(refusal(sub.path + "/")).contains("a folder"))

        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(toNull, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
        #expect(lstat(dangling, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
        #expect(try names(dir) == ["dangling", "fifo", "folder", "null"])
        #expect(try names(sub) == [])
    }

    /// A device node itself (made with mknod, which needs root; /dev/null is never put at risk).
    @Test func aDeviceIsRefusedNotReplaced() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let device = dir.appendingPathComponent("null-device").path
        guard mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)  /* makedev(1, 3), as /dev/null */) == 0 else { return }  // not root: nothing to test
        #expect(try #require(refusal(device)).contains("a character device, not a regular file"))
        var st = stat()
        #expect(lstat(device, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
    }

    /// A full disk (or any failing write or flush) leaves the old file as it was and no temporary file behind.
    @Test func aFailedWriteLeavesTheOldFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("findings.jsonl").path
        try Data("yesterday's findings\n".utf8).write(to: URL(fileURLWithPath: path))
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        let full = AtomicFile.System(
            write: { fd, p, n in
                // The first 64 KiB fit; then the disk is full.
                var st = stat()
                fstat(fd, &st)
                if st.st_size >= 1 << 16 {
                    errno = ENOSPC
                    return -1
                }
                return Glibc.write(fd, p, min(n, 1 << 16))
            }, fsync: { Glibc.fsync($0) })
        let badFlush = AtomicFile.System(write: { Glibc.write($0, $1, $2) }, fsync: { _ in errno = EIO; return -1 })
        for (system, message) in [(full, "write failed"), (badFlush, "fsync failed")] {
            do {
                try AtomicFile.write(big, to: path, system: system)
                Issue.record("the write should have failed")
            } catch {
                #expect(error.path == path)
                #expect(error.reason.contains(message))
                #expect(error.reason.contains(String(cString: strerror(message == "write failed" ? ENOSPC : EIO))))
                #expect(error.reason.contains("the old file is left as it was"))
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "yesterday's findings\n")
            #expect(try names(dir) == ["findings.jsonl"])
        }
    }

    /// The writer reports the failure (the CLI then exits 2) with the path named once, on one line.
    @Test func theFindingWriterReportsAFailedOutput() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("out\u{1B}[2J.jsonl").path
        #expect(symlink("/dev/null", link) == 0)
        let errPath = dir.appendingPathComponent("stderr").path
        let fd = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let sink = ByteSink(fd: fd)
        let ok = FindingWriter(format: .jsonl).write([], to: link, errors: sink)
        sink.flush()
        close(fd)
        #expect(!ok)
        let text = try String(contentsOfFile: errPath, encoding: .utf8)
        #expect(text.hasPrefix("trailhound: cannot write \(dir.path)/out\\u{1b}[2J.jsonl: it is a symbolic link"))
        #expect(text.hasSuffix("\n") && text.split(separator: "\n").count == 1)
    }
}
