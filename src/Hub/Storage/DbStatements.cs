using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Storage;

/// <summary>
/// SQL call sites that run on SQLite and PostgreSQL alike: parameters are written <c>@name</c> in the SQL and added
/// by name; a time goes in as SQLite's ISO-8601 text or PostgreSQL's timestamptz and comes back as a
/// <see cref="DateTimeOffset"/> from either. The only place where the backends' representations differ.
/// </summary>
public static class DbStatements
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = Value(command is SqliteCommand, value);
        command.Parameters.Add(parameter);
        return command;
    }

    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) =>
        reader.GetValue(ordinal) is string text ? SqliteExtensions.ParseTime(text) : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetTimeOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A parameter value as the backend stores it: times as text on SQLite, UTC timestamps on PostgreSQL; null as NULL.</summary>
    internal static object Value(bool sqlite, object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => sqlite ? time.ToDb() : time.UtcDateTime,
        _ => value,
    };
}
