import Foundation

/// Which malloc this process runs on, for a benchmark's header: the figures depend on it.
/// jemalloc when the binary links it (or it is preloaded), the C library's otherwise.
enum ProcessAllocator {
    #if canImport(Glibc)
    private static let systemMalloc = "glibc malloc"
    #else
    private static let systemMalloc = "the system malloc"
    #endif

    static var name: String {
        typealias MallCtl = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?,
                                            UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int) -> Int32
        guard let symbol = dlsym(nil, "mallctl") else { return systemMalloc }
        let mallctl = unsafeBitCast(symbol, to: MallCtl.self)
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return "jemalloc" }
        return "jemalloc \(String(cString: version).split(separator: "-").first ?? "")"
    }
}
