using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>Schedules, their fires and each delivery. Times are Unix milliseconds (UTC).</summary>
internal sealed class ScheduleMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("schedules-001", """
            CREATE TABLE agent_schedules (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, cron TEXT, every_ms INTEGER, mode TEXT NOT NULL,
                catch_up TEXT NOT NULL, payload TEXT NOT NULL, channel TEXT NOT NULL, lease_ms INTEGER NOT NULL, next_fire INTEGER NOT NULL,
                created_at INTEGER NOT NULL, deleted_at INTEGER);
            CREATE INDEX agent_schedules_agent ON agent_schedules (agent_id);
            CREATE TABLE schedule_fires (schedule_id TEXT NOT NULL, fire_time INTEGER NOT NULL, catch_up INTEGER NOT NULL, state TEXT NOT NULL,
                replica TEXT, message_id INTEGER, lease_until INTEGER, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, done_at INTEGER,
                PRIMARY KEY (schedule_id, fire_time));
            CREATE INDEX schedule_fires_state ON schedule_fires (state);
            CREATE TABLE schedule_deliveries (schedule_id TEXT NOT NULL, fire_time INTEGER NOT NULL, replica TEXT NOT NULL, message_id INTEGER NOT NULL,
                delivered_at INTEGER NOT NULL, PRIMARY KEY (schedule_id, fire_time, replica));
            CREATE TABLE schedule_clock (id INTEGER PRIMARY KEY CHECK (id = 1), alive_at INTEGER NOT NULL);
            """),
    ];

    // The same tables on PostgreSQL.
    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("schedules-001", """
            CREATE TABLE agent_schedules (id text PRIMARY KEY, agent_id text NOT NULL, cron text, every_ms bigint, mode text NOT NULL,
                catch_up text NOT NULL, payload text NOT NULL, channel text NOT NULL, lease_ms bigint NOT NULL, next_fire bigint NOT NULL,
                created_at bigint NOT NULL, deleted_at bigint);
            CREATE INDEX agent_schedules_agent ON agent_schedules (agent_id);
            CREATE TABLE schedule_fires (schedule_id text NOT NULL, fire_time bigint NOT NULL, catch_up bigint NOT NULL, state text NOT NULL,
                replica text, message_id bigint, lease_until bigint, attempts bigint NOT NULL DEFAULT 0, created_at bigint NOT NULL, done_at bigint,
                PRIMARY KEY (schedule_id, fire_time));
            CREATE INDEX schedule_fires_state ON schedule_fires (state);
            CREATE TABLE schedule_deliveries (schedule_id text NOT NULL, fire_time bigint NOT NULL, replica text NOT NULL, message_id bigint NOT NULL,
                delivered_at bigint NOT NULL, PRIMARY KEY (schedule_id, fire_time, replica));
            CREATE TABLE schedule_clock (id integer PRIMARY KEY CHECK (id = 1), alive_at bigint NOT NULL);
            """),
    ];
}
