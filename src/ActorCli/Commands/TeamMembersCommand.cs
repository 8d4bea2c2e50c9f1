using System.CommandLine;
using System.Globalization;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;

namespace Mesh.ActorCli.Commands;

/// <summary>actor team-members: who is in the team, their roles and pending counts.</summary>
internal static class TeamMembersCommand
{
    public static Command Create(RunFactory run)
    {
        var team = new Option<string?>("--team-id") { Description = "Team (default $MESH_TEAM_ID, else your own team)." };
        var command = new Command("team-members", "List the members of your team (or --team-id).") { team };
        command.SetAction(run(async (result, context, ct) =>
        {
            using var client = context.CreateClient();
            var response = await client.CallAsync((api, o) => api.TeamMembersAsync(new TeamMembersRequest { ActorId = context.ActorId, TeamId = context.TeamIdOr(result.GetValue(team)) }, o), ct);
            if (context.Json)
            {
                context.Out.WriteLine(JsonOut.Render(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("team_id", response.TeamId);
                    w.WriteStartArray("members");
                    foreach (var m in response.Members)
                    {
                        w.WriteStartObject();
                        w.WriteString("actor_id", m.ActorId);
                        w.WriteString("name", m.Name);
                        w.WriteString("role", m.Role);
                        w.WriteString("placement", m.Placement);
                        w.WriteNumber("pending_count", m.PendingCount);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            }
            else
            {
                context.Out.WriteLine($"team {response.TeamId}");
                var table = new Table("ACTOR", "ROLE", "PLACEMENT", "PENDING", "NAME");
                foreach (var m in response.Members)
                    table.Add(m.ActorId, m.Role, m.Placement, m.PendingCount.ToString(CultureInfo.InvariantCulture), m.Name);
                table.WriteTo(context.Out);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
