// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Celeriac",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AMQPProtocol", targets: ["AMQPProtocol"]),
        .library(name: "AMQPClient", targets: ["AMQPClient"]),
        .library(name: "CeleriacBroker", targets: ["CeleriacBroker"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "Celeriac", targets: ["Celeriac"]),
        .library(name: "CeleriacWorker", targets: ["CeleriacWorker"]),
        .library(name: "CeleriacBeat", targets: ["CeleriacBeat"]),
        .library(name: "CeleriacMonitor", targets: ["CeleriacMonitor"]),
        .library(name: "CeleriacTUI", targets: ["CeleriacTUI"]),
        .library(name: "CeleriacExporter", targets: ["CeleriacExporter"]),
        .library(name: "CeleriacCLI", targets: ["CeleriacCLI"]),
        .executable(name: "celeriac", targets: ["celeriac"]),
    ],
    dependencies: [
        // Event loops, ByteBuffer and sockets for every networked part.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // amqps:// — hosted RabbitMQ requires TLS.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // One ParsableCommand per subcommand of the `celeriac` binary.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // The logging API every server-side Swift library speaks.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // `celeriac exporter`: metrics in the Prometheus text format.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "AMQPProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "AMQPClient",
            dependencies: [
                "AMQPProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `celeriac broker`: the AMQP 0-9-1 server, built on the same protocol values.
        .target(
            name: "CeleriacBroker",
            dependencies: [
                "AMQPProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // RESP over SwiftNIO: the redis:// result backend (no Redis package is available here).
        .target(
            name: "RedisClient",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // SQLite's C API for the db+sqlite:// result backend (Debian's libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "Celeriac",
            dependencies: [
                "AMQPClient", "CSQLite", "RedisClient",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The worker runtime: consumer, pool, results, events.
        .target(
            name: "CeleriacWorker",
            dependencies: [
                "Celeriac", "AMQPClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Periodic tasks: schedules (interval, crontab, solar), their stores, the beat service.
        .target(
            name: "CeleriacBeat",
            dependencies: ["Celeriac", .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // The dashboard's brain: cluster state and actions, no terminal code.
        .target(
            name: "CeleriacMonitor",
            dependencies: ["Celeriac", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // `celeriac exporter`: the monitor's state served as Prometheus metrics over HTTP.
        .target(
            name: "CeleriacExporter",
            dependencies: [
                "CeleriacMonitor", "Celeriac",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // ncursesw and a C shim for its macros and globals (Debian's libncurses-dev).
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses", providers: [.apt(["libncurses-dev"])]),
        // The dashboard's screens and keys: draws the monitor's state, turns keys into actions.
        .target(
            name: "CeleriacTUI",
            dependencies: [
                "CNCurses", "CeleriacMonitor", "Celeriac",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CeleriacCLI",
            dependencies: [
                "AMQPClient",
                "Celeriac",
                "CeleriacBroker",
                "CeleriacWorker",
                "CeleriacBeat",
                "CeleriacMonitor",
                "CeleriacTUI",
                "CeleriacExporter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // jemalloc as the binary's malloc (Debian's libjemalloc-dev). A worker frees on a pool
        // thread what the connection's thread allocated, for every task; glibc's malloc then
        // takes the other thread's arena lock, and the two threads meet in futex calls.
        .systemLibrary(name: "CJemalloc", path: "Sources/CJemalloc", providers: [.apt(["libjemalloc-dev"])]),
        // The shipped binary: the commands, plus the demo app users and tests run.
        .executableTarget(
            name: "celeriac",
            dependencies: ["CeleriacCLI", "Celeriac", "CJemalloc", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "AMQPProtocolTests",
            dependencies: ["AMQPProtocol", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "AMQPClientTests",
            dependencies: [
                "AMQPClient",
                "CeleriacTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // What several test targets share: child processes, peers' admin APIs.
        .target(
            name: "CeleriacTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/CeleriacTestSupport"
        ),
        .testTarget(name: "CeleriacTests", dependencies: ["Celeriac", "AMQPClient", "CeleriacTestSupport"]),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "CeleriacTestSupport", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "CeleriacBrokerTests",
            dependencies: [
                "CeleriacBroker", "AMQPClient", "AMQPProtocol", "CeleriacTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CeleriacWorkerTests", dependencies: ["CeleriacWorker", "Celeriac"]),
        .testTarget(name: "CeleriacMonitorTests", dependencies: ["CeleriacMonitor", "Celeriac"]),
        .testTarget(name: "CeleriacBeatTests", dependencies: ["CeleriacBeat", "Celeriac", "CSQLite"]),
        .testTarget(name: "CeleriacExporterTests", dependencies: ["CeleriacExporter", "CeleriacMonitor", "Celeriac"]),
        .testTarget(name: "CeleriacTUITests", dependencies: ["CeleriacTUI", "CeleriacMonitor", "Celeriac"]),
        // Runs the built `celeriac` binary as a user would.
        .testTarget(
            name: "CeleriacCLITests",
            dependencies: ["celeriac", "CeleriacCLI", "Celeriac", "CeleriacTestSupport", "AMQPClient",
                           .product(name: "NIOCore", package: "swift-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
