"""A dependency that does not answer reaches the client as UNAVAILABLE."""


def test_an_unavailable_dependency_is_unavailable_not_internal():
    from google.rpc import code_pb2
    from nameko.exceptions import serialize

    from crm_kit.errors import Unavailable
    from gateway.bridge import rebuild_error
    from gateway.errors import status_for

    rebuilt = rebuild_error(serialize(Unavailable("the partners service is not running")))
    assert isinstance(rebuilt, Unavailable)
    assert status_for(rebuilt).code == code_pb2.UNAVAILABLE
