using Mesh.Rpc;

namespace Mesh.Core.Protocol;

/// <summary>The <c>mesh.v1.Mailbox</c> methods, shared by the hub service, the node relay and the clients.</summary>
public static class MailboxMethods
{
    public const string ServiceName = "mesh.v1.Mailbox";

    public static readonly Method<SendRequest, SendResponse> Send = Unary("Send", SendRequest.Parser, SendResponse.Parser);

    public static readonly Method<SendBatchRequest, SendBatchResponse> SendBatch = Unary("SendBatch", SendBatchRequest.Parser, SendBatchResponse.Parser);

    public static readonly Method<InboxRequest, InboxResponse> Inbox = Unary("Inbox", InboxRequest.Parser, InboxResponse.Parser);

    public static readonly Method<AckRequest, AckResponse> Ack = Unary("Ack", AckRequest.Parser, AckResponse.Parser);

    public static readonly Method<WatchRequest, MailboxMessage> Watch =
        new(MethodType.ServerStreaming, ServiceName, "Watch", WatchRequest.Parser, MailboxMessage.Parser);

    public static readonly Method<TeamMembersRequest, TeamMembersResponse> TeamMembers =
        Unary("TeamMembers", TeamMembersRequest.Parser, TeamMembersResponse.Parser);

    public static readonly Method<TimeTriggerSetRequest, TimeTrigger> TimeTriggerSet =
        Unary("TimeTriggerSet", TimeTriggerSetRequest.Parser, TimeTrigger.Parser);

    public static readonly Method<TimeTriggerListRequest, TimeTriggerListResponse> TimeTriggerList =
        Unary("TimeTriggerList", TimeTriggerListRequest.Parser, TimeTriggerListResponse.Parser);

    public static readonly Method<TimeTriggerCancelRequest, TimeTrigger> TimeTriggerCancel =
        Unary("TimeTriggerCancel", TimeTriggerCancelRequest.Parser, TimeTrigger.Parser);

    public static readonly Method<PermissionRequestRequest, PermissionReview> PermissionRequest =
        Unary("PermissionRequest", PermissionRequestRequest.Parser, PermissionReview.Parser);

    public static readonly Method<PermissionRespondRequest, PermissionReview> PermissionRespond =
        Unary("PermissionRespond", PermissionRespondRequest.Parser, PermissionReview.Parser);

    public static readonly Method<PermissionListRequest, PermissionListResponse> PermissionList =
        Unary("PermissionList", PermissionListRequest.Parser, PermissionListResponse.Parser);

    public static readonly Method<PermissionWaitRequest, PermissionReview> PermissionWait =
        Unary("PermissionWait", PermissionWaitRequest.Parser, PermissionReview.Parser);

    private static Method<TReq, TRes> Unary<TReq, TRes>(string name, Google.Protobuf.MessageParser<TReq> request, Google.Protobuf.MessageParser<TRes> response)
        where TReq : class, Google.Protobuf.IMessage<TReq>
        where TRes : class, Google.Protobuf.IMessage<TRes> =>
        new(MethodType.Unary, ServiceName, name, request, response);
}
