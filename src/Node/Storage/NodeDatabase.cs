using Microsoft.Data.Sqlite;

namespace Mesh.Node.Storage;

/// <summary>Opens one of the node's own SQLite files in data_dir: 0600, WAL, synchronous=FULL (a row is on disk before the caller is answered).</summary>
internal static class NodeDatabase
{
    public static SqliteConnection Open(string dataDir, string fileName, string schema)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, fileName);
        var isNew = !File.Exists(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        if (isNew)
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;\n" + schema;
        command.ExecuteNonQuery();
        return connection;
    }
}
