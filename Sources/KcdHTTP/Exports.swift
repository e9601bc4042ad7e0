// Base64, threads, clocks and timestamps live in KcdCore; HTTP users get them with KcdHTTP.
@_exported import KcdCore
