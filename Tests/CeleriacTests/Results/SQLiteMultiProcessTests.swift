@testable import Celeriac
import Foundation
import Testing

/// Several worker processes storing results into one db+sqlite:// file at once, each a
/// separate OS process running our backend (Swift Testing's exit tests run the body in a
/// child process of the test binary).
@Suite struct SQLiteMultiProcessTests {
    @Test func fourProcessesWriteOneFileAndNothingIsLost() async throws {
        try await TemporaryResultStore.with { store in
            let url = store.url
            try await withThrowingTaskGroup(of: Void.self) { group in
                for process in 0..<4 {
                    group.addTask {
                        await #expect(processExitsWith: .success) { [url = url as String, process = process as Int] in
                            let backend = try SQLiteResultBackend(url: url, expires: nil)
                            for index in 0..<150 {
                                let id = "p\(process)-\(index)"
                                try await backend.store(ResultMeta(taskID: id, status: .started))
                                try await backend.store(ResultMeta(taskID: id, status: .success, result: .int(index),
                                                                   dateDone: Date()))
                            }
                            await backend.close()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let reader = try store.open(expires: nil)
            for process in 0..<4 {
                for index in 0..<150 {
                    let meta = try await reader.meta(for: "p\(process)-\(index)")
                    #expect(meta?.status == .success)
                    #expect(meta?.result == .int(index))
                }
            }
            await reader.close()
        }
    }
}
