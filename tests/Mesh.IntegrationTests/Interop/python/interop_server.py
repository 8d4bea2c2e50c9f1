"""grpcio side of the interop matrix: a server for the InteropTest service (see Protos/interop_test.proto).

Started by the C# tests with the generated stubs' directory on sys.path. Prints "PORT <n>" once listening, then
"EVENT <text>" lines (e.g. "EVENT cancelled Bidi") as it observes calls end; exits when stdin closes or on SIGTERM.
"""
import argparse
import base64
import sys
import threading
import time
from concurrent import futures

import grpc

import interop_test_pb2 as pb
import interop_test_pb2_grpc as pb_grpc


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def peer_identity(context):
    auth = context.auth_context()
    names = auth.get("x509_common_name") or []
    return names[0].decode() if names else ""


def metadata_value(context, key):
    if not key:
        return ""
    for k, v in context.invocation_metadata():
        if k == key:
            return base64.b64encode(v).decode() if isinstance(v, bytes) else v
    return ""


def watch_termination(context, method):
    done = {"finished": False}

    def on_end():
        if not done["finished"]:
            emit("EVENT cancelled " + method)

    # A cancelled call can also look like a request stream that simply ended (a client may half-close before it
    # resets the stream): only a call still active a moment after its request stream ended counts as finished.
    def finish():
        until = time.monotonic() + 0.5
        while context.is_active() and time.monotonic() < until:
            time.sleep(0.02)
        done["finished"] = context.is_active()

    done["finish"] = finish

    context.add_callback(on_end)
    return done


def sleep_active(context, millis):
    deadline = time.monotonic() + millis / 1000.0
    while time.monotonic() < deadline:
        if not context.is_active():
            return False
        time.sleep(0.01)
    return True


def fail_if_asked(request, context, state):
    if request.fail_code:
        state["finish"]()  # an abort we chose is not a cancellation
        context.abort(_code(request.fail_code), request.fail_message)


def _code(number):
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    raise ValueError(number)


def reply(request, context, index=0):
    payload = bytes(request.response_size) if request.response_size > 0 else request.payload
    return pb.EchoResponse(payload=payload, index=index, peer_identity=peer_identity(context),
                           metadata_value=metadata_value(context, request.echo_metadata))


def echo_trailers(request, context):
    if request.echo_metadata:
        value = dict(context.invocation_metadata()).get(request.echo_metadata)
        if value is not None:
            key = "x-echo-bin" if isinstance(value, bytes) else "x-echo"
            context.set_trailing_metadata(((key, value),))


class InteropTest(pb_grpc.InteropTestServicer):
    def Unary(self, request, context):
        state = watch_termination(context, "Unary")
        if request.delay_ms and not sleep_active(context, request.delay_ms):
            return pb.EchoResponse()
        echo_trailers(request, context)
        fail_if_asked(request, context, state)
        state["finish"]()
        return reply(request, context)

    def ServerStream(self, request, context):
        state = watch_termination(context, "ServerStream")
        for i in range(request.response_count):
            if request.delay_ms and not sleep_active(context, request.delay_ms):
                return
            yield reply(request, context, i)
        echo_trailers(request, context)
        fail_if_asked(request, context, state)
        state["finish"]()

    def ClientStream(self, request_iterator, context):
        state = watch_termination(context, "ClientStream")
        total = 0
        count = 0
        last = None
        for request in request_iterator:
            fail_if_asked(request, context, state)
            total += len(request.payload)
            count += 1
            last = request
        state["finish"]()
        response = reply(last or pb.EchoRequest(), context)
        response.total_bytes = total
        response.message_count = count
        return response

    def Bidi(self, request_iterator, context):
        state = watch_termination(context, "Bidi")
        index = 0
        for request in request_iterator:
            if request.delay_ms and not sleep_active(context, request.delay_ms):
                return
            fail_if_asked(request, context, state)
            yield reply(request, context, index)
            index += 1
        state["finish"]()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["tls", "mtls"], required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca")
    args = parser.parse_args()

    with open(args.cert, "rb") as f:
        cert = f.read()
    with open(args.key, "rb") as f:
        key = f.read()
    ca = None
    if args.ca:
        with open(args.ca, "rb") as f:
            ca = f.read()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    pb_grpc.add_InteropTestServicer_to_server(InteropTest(), server)
    credentials = grpc.ssl_server_credentials([(key, cert)], root_certificates=ca,
                                              require_client_auth=(args.mode == "mtls"))
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    emit("PORT %d" % port)

    # Stop when the test closes our stdin (or kills us).
    def wait_stdin():
        sys.stdin.read()
        server.stop(0)

    threading.Thread(target=wait_stdin, daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
