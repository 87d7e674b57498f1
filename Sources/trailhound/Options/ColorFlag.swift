import ArgumentParser
import Foundation
import TrailOutput

#if canImport(Glibc)
    import Glibc
#endif

/// `--color`, shared by the commands whose text for people has colour.
struct ColorFlag: ParsableArguments {
    @Option(help: ArgumentHelp("Colour: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: TerminalStyle.ColorChoice = .auto

    /// The style for text written to `fd` (colour off when writing to a file).
    func style(fd: Int32 = 1, toFile: Bool = false) -> TerminalStyle {
        TerminalStyle(color: TerminalStyle.wantsColor(
            color, isTerminal: !toFile && isatty(fd) == 1, environment: ProcessInfo.processInfo.environment))
    }
}

extension TerminalStyle.ColorChoice: ExpressibleByArgument {}
