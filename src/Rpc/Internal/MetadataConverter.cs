using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.Rpc.Internal;

/// <summary>Converts metadata to and from HTTP headers on both sides.</summary>
internal static class MetadataConverter
{
    public static Metadata FromHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            if (!GrpcProtocol.IsReservedHeader(name))
            {
                AddValues(metadata, name, values);
            }
        }

        return metadata;
    }

    public static Metadata FromHeaders(HttpHeaders? headers, Metadata? into = null)
    {
        var metadata = into ?? new Metadata();
        if (headers is null)
        {
            return metadata;
        }

        foreach (var (name, values) in headers.NonValidated)
        {
            if (GrpcProtocol.IsReservedHeader(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                AddValue(metadata, name, value);
            }
        }

        return metadata;
    }

    public static void AddValues(Metadata metadata, string name, StringValues values)
    {
        foreach (var value in values)
        {
            if (value is not null)
            {
                AddValue(metadata, name, value);
            }
        }
    }

    private static void AddValue(Metadata metadata, string name, string value)
    {
        var key = name.ToLowerInvariant();
        if (!Metadata.IsBinaryKey(key))
        {
            metadata.Add(Metadata.Entry.FromWire(key, value));
            return;
        }

        // Several binary values may arrive joined by commas (HTTP header folding).
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (GrpcProtocol.TryDecodeBinaryHeader(part, out var bytes))
            {
                metadata.Add(Metadata.Entry.FromWire(key, bytes));
            }
        }
    }

    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value;

    public static void CopyTo(Metadata metadata, IHeaderDictionary headers)
    {
        foreach (var entry in metadata)
        {
            headers.Append(entry.Key, ToHeaderValue(entry));
        }
    }
}
