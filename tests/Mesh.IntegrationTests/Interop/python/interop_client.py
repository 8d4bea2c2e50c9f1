"""grpcio side of the interop matrix: a client that runs one case against a server under test.

Prints JSON lines: zero or more {"event": ...} lines (e.g. each health Watch update), then one result line
{"ok": true, ...} or {"ok": false, "code": "DEADLINE_EXCEEDED", "details": "..."}. Exit code 0 unless the
script itself is broken.
"""
import argparse
import base64
import json
import sys
import threading

import grpc

from google.protobuf import descriptor_pb2

import health_pb2
import health_pb2_grpc
import mailbox_pb2
import mailbox_pb2_grpc
import reflection_pb2
import reflection_pb2_grpc
import reflection_v1_pb2
import reflection_v1_pb2_grpc
import interop_test_pb2 as pb
import interop_test_pb2_grpc as pb_grpc

THREE_MIB = 3 * 1024 * 1024


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def rpc_error(error):
    code = error.code()
    return {"ok": False, "code": code.name if code else "UNKNOWN", "details": error.details() or ""}


def case_unary(stub):
    metadata = (("x-test", "plain-value"), ("x-data-bin", b"\x00\x01\xfe\xff"))
    response, call = stub.Unary.with_call(pb.EchoRequest(payload=b"hello", echo_metadata="x-data-bin"),
                                          metadata=metadata, timeout=20)
    trailers = {k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v) for k, v in call.trailing_metadata()}
    return {"ok": True, "payload": response.payload.decode(), "peer": response.peer_identity,
            "metadata_value": response.metadata_value, "trailers": trailers}


def case_server_stream(stub):
    responses = list(stub.ServerStream(pb.EchoRequest(payload=b"s", response_count=5), timeout=20))
    return {"ok": True, "indexes": [r.index for r in responses], "payloads": [r.payload.decode() for r in responses]}


def case_client_stream(stub):
    requests = (pb.EchoRequest(payload=b"x" * (i + 1)) for i in range(10))
    response = stub.ClientStream(requests, timeout=20)
    return {"ok": True, "total_bytes": response.total_bytes, "message_count": response.message_count}


def case_bidi(stub):
    # Ping-pong: each request is sent only after the previous response arrived.
    lock = threading.Condition()
    state = {"received": 0}

    def requests():
        for i in range(5):
            with lock:
                lock.wait_for(lambda: state["received"] >= i, timeout=20)
            yield pb.EchoRequest(payload=("m%d" % i).encode())

    payloads = []
    for response in stub.Bidi(requests(), timeout=20):
        payloads.append(response.payload.decode())
        with lock:
            state["received"] += 1
            lock.notify_all()
    return {"ok": True, "payloads": payloads}


def case_large(stub):
    response = stub.Unary(pb.EchoRequest(payload=b"\x07" * THREE_MIB, response_size=THREE_MIB), timeout=30)
    return {"ok": True, "response_size": len(response.payload)}


def case_error(stub, message):
    try:
        stub.Unary(pb.EchoRequest(fail_code=9, fail_message=message), timeout=20)
        return {"ok": True}
    except grpc.RpcError as error:
        return rpc_error(error)


def case_deadline(stub):
    try:
        stub.Unary(pb.EchoRequest(delay_ms=10000), timeout=0.5)
        return {"ok": True}
    except grpc.RpcError as error:
        return rpc_error(error)


def case_cancel(stub):
    gate = threading.Event()

    def requests():
        yield pb.EchoRequest(payload=b"first")
        gate.wait(20)

    call = stub.Bidi(requests(), timeout=20)
    first = next(call)
    call.cancel()
    gate.set()
    try:
        for _ in call:
            pass
        return {"ok": True, "first": first.payload.decode()}
    except grpc.RpcError as error:
        result = rpc_error(error)
        result["first"] = first.payload.decode()
        return result


def case_health_check(channel, service):
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        response = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        return {"ok": True, "status": health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}
    except grpc.RpcError as error:
        return rpc_error(error)


def case_health_watch(channel, service, updates):
    stub = health_pb2_grpc.HealthStub(channel)
    seen = []
    try:
        for response in stub.Watch(health_pb2.HealthCheckRequest(service=service), timeout=30):
            name = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
            seen.append(name)
            out({"event": name})
            if len(seen) >= updates:
                break
        return {"ok": True, "statuses": seen}
    except grpc.RpcError as error:
        result = rpc_error(error)
        result["statuses"] = seen
        return result


def case_reflection(channel, symbol, version, metadata):
    pb2, pb2_grpc = (reflection_v1_pb2, reflection_v1_pb2_grpc) if version == "v1" else (reflection_pb2, reflection_pb2_grpc)
    stub = pb2_grpc.ServerReflectionStub(channel)
    requests = [pb2.ServerReflectionRequest(list_services=""),
                pb2.ServerReflectionRequest(file_containing_symbol=symbol),
                pb2.ServerReflectionRequest(file_containing_symbol="no.such.Symbol")]
    responses = list(stub.ServerReflectionInfo(iter(requests), timeout=10, metadata=metadata))
    services = [s.name for s in responses[0].list_services_response.service]
    methods = []
    files = []
    for raw in responses[1].file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
        files.append(proto.name)
        for service in proto.service:
            if proto.package + "." + service.name == symbol:
                methods = [m.name for m in service.method]
    return {"ok": True, "services": services, "files": files, "methods": methods,
            "missing_code": responses[2].error_response.error_code}


def case_mailbox_send(channel, to_actor, payload, metadata, gzip):
    stub = mailbox_pb2_grpc.MailboxStub(channel)
    compression = grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression
    try:
        response = stub.Send(mailbox_pb2.SendRequest(to_actor_id=to_actor, payload=payload), timeout=20,
                             metadata=metadata, compression=compression)
        return {"ok": True, "message_id": response.message_id}
    except grpc.RpcError as error:
        return rpc_error(error)


def case_unary_gzip(stub):
    response = stub.Unary(pb.EchoRequest(payload=b"z" * 100000), timeout=20, compression=grpc.Compression.Gzip)
    return {"ok": True, "size": len(response.payload)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--plaintext", action="store_true")
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--message", default="")
    parser.add_argument("--service", default="")
    parser.add_argument("--updates", type=int, default=2)
    parser.add_argument("--version", default="v1")
    parser.add_argument("--token")
    parser.add_argument("--to", default="")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()

    options = [("grpc.max_receive_message_length", 16 * 1024 * 1024),
               ("grpc.max_send_message_length", 16 * 1024 * 1024)]
    if args.plaintext:
        channel = grpc.insecure_channel(args.target, options=options)
    else:
        def read(path):
            with open(path, "rb") as f:
                return f.read()
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read(args.ca),
            private_key=read(args.key) if args.key else None,
            certificate_chain=read(args.cert) if args.cert else None)
        channel = grpc.secure_channel(args.target, credentials, options=options)

    stub = pb_grpc.InteropTestStub(channel)
    metadata = (("authorization", "Bearer " + args.token),) if args.token else ()
    payload = "x" * args.size if args.size else (args.message or "hello")
    try:
        if args.case == "unary":
            result = case_unary(stub)
        elif args.case == "server_stream":
            result = case_server_stream(stub)
        elif args.case == "client_stream":
            result = case_client_stream(stub)
        elif args.case == "bidi":
            result = case_bidi(stub)
        elif args.case == "large":
            result = case_large(stub)
        elif args.case == "error":
            result = case_error(stub, args.message)
        elif args.case == "deadline":
            result = case_deadline(stub)
        elif args.case == "cancel":
            result = case_cancel(stub)
        elif args.case == "health_check":
            result = case_health_check(channel, args.service)
        elif args.case == "reflection":
            result = case_reflection(channel, args.service, args.version, metadata)
        elif args.case == "mailbox_send":
            result = case_mailbox_send(channel, args.to, payload, metadata, args.gzip)
        elif args.case == "unary_gzip":
            result = case_unary_gzip(stub)
        elif args.case == "health_watch":
            result = case_health_watch(channel, args.service, args.updates)
        else:
            raise SystemExit("unknown case " + args.case)
    except grpc.RpcError as error:
        result = rpc_error(error)
    out(result)
    channel.close()


if __name__ == "__main__":
    main()
