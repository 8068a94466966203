public enum MediaBridgeVersion {
    public static let current = "0.1.0-dev"
}
