// swift-tools-version:6.0
import Foundation
import PackageDescription

// ISA-L inflates gzip about twice as fast as zlib here. It is used when pkg-config finds it (`libisal`, which
// Debian's libisal-dev installs, as scripts/setup does; a source install's libisal.pc works too, wherever it put the
// headers); otherwise the reader uses zlib alone. TRAILHOUND_NO_ISAL=1 builds without it.
func pkgConfigHas(_ module: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["pkg-config", "--exists", module]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false  // no pkg-config (or a sandboxed manifest): build with zlib alone
    }
}
let hasISAL = ProcessInfo.processInfo.environment["TRAILHOUND_NO_ISAL"] == nil && pkgConfigHas("libisal")

// Release binaries on Linux carry the Swift runtime and Foundation inside them, as `swift build
// --static-swift-stdlib` makes them (set here so that a plain `swift build -c release` does it): the binary runs where
// no Swift toolchain is installed (a Spark executor it is shipped to, a responder's jump host), and scans ran 5-11 %
// faster on three of the four benchmark mixes (the fourth within noise) with 3.5-5.6 MB less memory (the runtime's
// calls, retain and release above all, are direct instead of through the dynamic linker's tables). It still links the system's libc, libstdc++, zlib, SQLite and ISA-L. The modules are
// compiled with the flag too: they then name the static libraries Foundation needs (CoreFoundation, ICU) for the link
// (only the executables' own modules compiled so gave the same speed but 2 MB more RSS). Debug builds, and so the
// tests, stay dynamic; TRAILHOUND_DYNAMIC_RUNTIME=1 builds release against the toolchain's shared runtime, as the
// fuzzers must (scripts/fuzz/run: their executables link these modules with the sanitizers' runtime).
let dynamicRuntime = ProcessInfo.processInfo.environment["TRAILHOUND_DYNAMIC_RUNTIME"] != nil
let staticRuntime: [SwiftSetting] =
    dynamicRuntime ? [] : [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
let staticLink: [LinkerSetting] =
    dynamicRuntime ? [] : [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]

// The reader and the rule engine are the per-event hot path. In release builds their dynamic exclusivity checks are
// off (about 2 % of a scan's instructions under callgrind); debug builds, and so `swift test`, keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))] + staticRuntime

let package = Package(
    name: "trailhound",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trailhound", targets: ["trailhound"]),
        .library(name: "TrailReader", targets: ["TrailReader"]),
        .library(name: "TrailDetect", targets: ["TrailDetect"]),
        .library(name: "TrailFuzzing", targets: ["TrailFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        .target(name: "CScan"),
        .target(
            name: "TrailReader",
            dependencies: ["CZlib", "CScan"] + (hasISAL ? ["CISAL"] : []),
            swiftSettings: (hasISAL ? [.define("TRAILHOUND_ISAL")] : []) + hotPath
        ),
        .target(
            name: "TrailDetect",
            dependencies: [
                "TrailReader", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotPath
        ),
        .target(name: "TrailOutput", dependencies: ["TrailReader", "TrailDetect"], swiftSettings: staticRuntime),
        // The state file of incremental (cron) scans: SQLite through GRDB.
        .target(name: "TrailState", dependencies: ["TrailReader", "TrailDetect", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: staticRuntime),
        // Scan orchestration: the one-shot scan and the incremental scan over a state file.
        .target(name: "TrailScan", dependencies: ["TrailReader", "TrailDetect", "TrailState"], swiftSettings: staticRuntime),
        // The HTML incident report (`trailhound report`): one self-contained page, pictures drawn as SVG here.
        .target(
            name: "TrailReport",
            dependencies: ["TrailReader", "TrailDetect", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: staticRuntime
        ),
        // The rules tree (rules/) embedded in the binary: the EmbedRules plugin generates its source at build time.
        .executableTarget(name: "trailhound-embed-rules", path: "Sources/trailhound-embed-rules"),
        .plugin(
            name: "EmbedRules", capability: .buildTool(), dependencies: ["trailhound-embed-rules"],
            path: "Sources/EmbedRulesPlugin"),
        .target(name: "TrailRules", swiftSettings: staticRuntime, plugins: ["EmbedRules"]),
        .target(name: "TrailFuzzing", dependencies: ["TrailReader", "TrailDetect", "TrailOutput"]),
        .executableTarget(
            name: "trailhound",
            dependencies: [
                "TrailReader", "TrailDetect", "TrailOutput", "TrailState", "TrailScan", "TrailReport", "TrailRules",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: staticRuntime,
            linkerSettings: staticLink
        ),
        .executableTarget(
            name: "trailhound-bench",
            dependencies: ["TrailReader", "TrailDetect", "CZlib"],
            path: "Benchmarks/ReaderBench",
            swiftSettings: staticRuntime,
            linkerSettings: staticLink
        ),
        .testTarget(name: "TrailReaderTests", dependencies: ["TrailReader", "CZlib"]),
        .testTarget(name: "TrailDetectTests", dependencies: ["TrailDetect", "TrailReader", "TrailRules", "CZlib"]),
        .testTarget(name: "TrailScanTests", dependencies: ["TrailScan", "TrailState", "TrailDetect", "TrailReader"]),
        .testTarget(name: "TrailOutputTests", dependencies: ["TrailOutput", "TrailReader", "TrailDetect"]),
        .testTarget(name: "HardeningTests", dependencies: ["TrailFuzzing", "TrailReader", "TrailDetect", "TrailOutput"]),
        .testTarget(
            name: "TrailReportTests",
            dependencies: [
                "TrailReport", "TrailScan", "TrailDetect", "TrailReader", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "TrailhoundCLITests",
            dependencies: ["trailhound"]
        ),
    ]
)
