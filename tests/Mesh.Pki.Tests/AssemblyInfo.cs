// The key-file and TLS tests exercise Unix file modes and OpenSSL-backed crypto.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
