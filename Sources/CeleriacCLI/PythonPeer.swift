import ArgumentParser
import Foundation

/// Runs a Python benchmark script and reads the JSON object it prints last, so a benchmark
/// can put the peer's figures beside ours from one run.
enum PythonPeer {
    static func run<Figures: Decodable>(_ python: String, _ script: String, _ arguments: [String], hint: String,
                                        as type: Figures.Type) throws -> Figures {
        try runFigures([python, script] + arguments, hint: hint, as: type)
    }

    /// Runs `command` (found on PATH, or a path) and decodes the JSON object it prints last.
    static func runFigures<Figures: Decodable>(_ command: [String], hint: String, as type: Figures.Type) throws -> Figures {
        let script = command.dropFirst().first ?? command.first ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(script) exited with \(process.terminationStatus); \(hint)")
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Figures.self, from: Data(line.utf8))
    }
}
