import CeleriacCLI

/// The `celeriac` binary: the library's commands with nothing added yet.
@main
struct Celeriac {
    static func main() async {
        await CeleriacCommand.main(nil as [String]?)
    }
}
