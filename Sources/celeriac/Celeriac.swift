import CJemalloc  // linked for its malloc; see Package.swift
import CeleriacCLI

/// The `celeriac` binary: the library's commands, with the demo app for `-A demo`.
@main
struct Celeriac {
    static func main() async {
        AppCatalog.add("demo", install: DemoApp.install(on:))
        await CeleriacCommand.main(nil as [String]?)
    }
}
