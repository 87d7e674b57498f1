import ArgumentParser
import TrailOutput

#if canImport(Glibc)
    import Glibc
#endif

/// Exit status: 0 all input read; 2 some input could not be read, or the command line is wrong.
/// (Findings-based statuses come with `scan`.)
do {
    var command = try Trailhound.parseAsRoot()
    try command.run()
} catch {
    let code = Trailhound.exitCode(for: error)
    if code == .success {
        print(Trailhound.fullMessage(for: error))
        exit(0)
    }
    let message = Trailhound.fullMessage(for: error)
    if !message.isEmpty {
        let err = ByteSink(fd: 2)
        err.write(message + "\n")
        err.flush()
    }
    exit(code == .validationFailure ? 2 : code.rawValue)
}
