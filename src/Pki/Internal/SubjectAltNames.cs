using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Internal;

/// <summary>Reads every GeneralName of a subjectAltName extension; .NET exposes only DNS and IP names.</summary>
internal sealed class SubjectAltNames
{
    public const string Oid = "2.5.29.17";

    public List<string> DnsNames { get; } = [];
    public List<IPAddress> IpAddresses { get; } = [];
    public List<string> Uris { get; } = [];
    public List<string> OtherKinds { get; } = [];

    public static SubjectAltNames Read(IEnumerable<X509Extension> extensions)
    {
        var result = new SubjectAltNames();
        foreach (var ext in extensions)
        {
            if (ext.Oid?.Value == Oid)
                result.Add(ext.RawData);
        }

        return result;
    }

    /// <summary>
    /// Encodes a subjectAltName extension. Written by hand because SubjectAlternativeNameBuilder.AddUri goes through
    /// System.Uri, which lowercases the authority: mesh://Prod/… would come out as mesh://prod/….
    /// </summary>
    public static X509Extension Encode(IEnumerable<string> uris, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris)
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            foreach (var dns in dnsNames)
                writer.WriteCharacterString(UniversalTagNumber.IA5String, dns, new Asn1Tag(TagClass.ContextSpecific, 2));
            foreach (var ip in ipAddresses)
                writer.WriteOctetString(ip.GetAddressBytes(), new Asn1Tag(TagClass.ContextSpecific, 7));
        }

        return new X509Extension(Oid, writer.Encode(), critical: false);
    }

    private void Add(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var seq = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            while (seq.HasData)
            {
                var tag = seq.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    throw new PkiException("subjectAltName holds a value that is not a GeneralName");
                }

                switch (tag.TagValue)
                {
                    case 2:
                        DnsNames.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2)));
                        break;
                    case 6:
                        Uris.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                        break;
                    case 7:
                        var bytes = seq.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7));
                        if (bytes.Length is not (4 or 16))
                            throw new PkiException($"subjectAltName holds an IP address of {bytes.Length} bytes (expected 4 or 16)");
                        IpAddresses.Add(new IPAddress(bytes));
                        break;
                    default:
                        OtherKinds.Add(KindName(tag.TagValue));
                        seq.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            throw new PkiException("subjectAltName extension is malformed: " + ex.Message, ex);
        }
    }

    private static string KindName(int tag) => tag switch
    {
        0 => "otherName",
        1 => "rfc822Name (email)",
        3 => "x400Address",
        4 => "directoryName",
        5 => "ediPartyName",
        8 => "registeredID",
        _ => $"GeneralName [{tag}]",
    };
}
