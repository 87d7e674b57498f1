// swift-tools-version:6.0
// libFuzzer targets for trailhound (see scripts/fuzz/run). Built apart from the main package: they have no `main`
// (libFuzzer provides the loop) and need -sanitize=fuzzer, so a normal `swift build` must not see them.
import PackageDescription

let package = Package(
    name: "trailhound-fuzz",
    dependencies: [.package(name: "trailhound", path: "../..")],
    targets: [.target(name: "FuzzDriver")]
        + ["FuzzReader", "FuzzRules", "FuzzPolicy"].map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzDriver", .product(name: "TrailFuzzing", package: "trailhound")])
        }
)
