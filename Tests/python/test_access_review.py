"""TokenReview and SubjectAccessReview, answered from the table set with `PUT /_sim/access`."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

ACCESS = {
    "users": [
        {"token": "alice-token", "username": "alice", "groups": ["kcd-users", "system:authenticated"]},
        {"token": "bob-token", "username": "bob", "groups": ["kcd-admins"]},
    ],
    "grants": [
        {"subject": "alice", "verbs": ["get", "list", "watch"], "group": "kcd.io", "resource": "kcds", "namespace": "team-a"},
        {"subject": "kcd-admins", "verbs": ["*"], "group": "kcd.io", "resource": "kcds"},
        {"subject": "kcd-users", "verbs": ["create"], "resource": "kcds", "namespace": "sandbox"},
    ],
}


@pytest.fixture
def reviews(sim):
    assert sim.control("PUT", "/_sim/access", ACCESS) == {"ok": True}
    api = sim.api_client()
    return sim, client.AuthenticationV1Api(api), client.AuthorizationV1Api(api)


def token_review(authn: client.AuthenticationV1Api, token: str) -> client.V1TokenReview:
    return authn.create_token_review(client.V1TokenReview(spec=client.V1TokenReviewSpec(token=token)))


def access_review(authz: client.AuthorizationV1Api, user: str, verb: str, namespace: str | None,
                  groups: list[str] | None = None, group: str = "kcd.io", resource: str = "kcds") -> client.V1SubjectAccessReview:
    spec = client.V1SubjectAccessReviewSpec(
        user=user, groups=groups,
        resource_attributes=client.V1ResourceAttributes(verb=verb, group=group, resource=resource, namespace=namespace))
    return authz.create_subject_access_review(client.V1SubjectAccessReview(spec=spec))


def test_token_review_authenticated(reviews):
    _, authn, _ = reviews
    review = token_review(authn, "alice-token")
    assert review.kind == "TokenReview"
    assert review.api_version == "authentication.k8s.io/v1"
    assert review.spec.token == "alice-token"
    assert review.status.authenticated is True
    assert review.status.user.username == "alice"
    assert review.status.user.groups == ["kcd-users", "system:authenticated"]
    assert review.status.error is None

    assert token_review(authn, "bob-token").status.user.username == "bob"


def test_token_review_unauthenticated(reviews):
    sim, authn, _ = reviews
    review = token_review(authn, "mallory-token")
    assert review.status.authenticated is False
    assert review.status.user is None
    assert review.status.error == "token not recognised"
    # the KubeSim bearer token itself is not a user of the table
    assert token_review(authn, sim.token).status.authenticated is False

    # the raw answer is a 201 TokenReview
    r = sim.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                    json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "nobody"}})
    assert r.status_code == 201
    assert r.json()["status"] == {"authenticated": False, "error": "token not recognised"}


def test_subject_access_review_allowed_and_denied(reviews):
    _, _, authz = reviews
    allowed = access_review(authz, "alice", "get", "team-a")
    assert allowed.kind == "SubjectAccessReview"
    assert allowed.api_version == "authorization.k8s.io/v1"
    assert allowed.status.allowed is True
    assert allowed.status.reason == "granted by the KubeSim access table"
    assert access_review(authz, "alice", "watch", "team-a").status.allowed is True

    # a verb that was not granted, another namespace, another API group, another resource
    for verb, ns, group, resource in [("delete", "team-a", "kcd.io", "kcds"), ("update", "team-a", "kcd.io", "kcds"),
                                      ("get", "team-b", "kcd.io", "kcds"), ("get", None, "kcd.io", "kcds"),
                                      ("get", "team-a", "apps", "kcds"), ("get", "team-a", "kcd.io", "deployments")]:
        denied = access_review(authz, "alice", verb, ns, group=group, resource=resource)
        assert denied.status.allowed is False, (verb, ns, group, resource)
        assert denied.status.reason is None

    # nobody else gets alice's grant
    assert access_review(authz, "carol", "get", "team-a").status.allowed is False


def test_subject_access_review_by_group(reviews):
    _, _, authz = reviews
    # bob's request carries his group: the group grant covers every verb in every namespace
    for verb in ("get", "create", "delete", "patch"):
        assert access_review(authz, "bob", verb, "team-b", groups=["kcd-admins"]).status.allowed is True
    assert access_review(authz, "bob", "get", None, groups=["kcd-admins"]).status.allowed is True
    # without the group in the review there is no grant for the user name itself
    assert access_review(authz, "bob", "get", "team-b").status.allowed is False
    # a grant without an API group (group "*") matches any group
    assert access_review(authz, "dave", "create", "sandbox", groups=["kcd-users"], group="other.io").status.allowed is True
    assert access_review(authz, "dave", "create", "team-a", groups=["kcd-users"]).status.allowed is False


def test_access_table_is_replaced_by_each_put(reviews):
    sim, authn, authz = reviews
    assert access_review(authz, "alice", "get", "team-a").status.allowed is True
    assert sim.control("PUT", "/_sim/access", {"users": [{"token": "t2", "username": "erin"}],
                                               "grants": [{"subject": "erin", "verbs": ["list"], "resource": "kcds"}]}) == {"ok": True}
    assert token_review(authn, "alice-token").status.authenticated is False
    assert access_review(authz, "alice", "get", "team-a").status.allowed is False
    erin = token_review(authn, "t2")
    assert (erin.status.authenticated, erin.status.user.username, erin.status.user.groups) == (True, "erin", [])
    assert access_review(authz, "erin", "list", "anywhere").status.allowed is True
    # an empty table denies everything
    sim.control("PUT", "/_sim/access", {})
    assert token_review(authn, "t2").status.authenticated is False
    assert access_review(authz, "erin", "list", "anywhere").status.allowed is False


def test_reviews_are_create_only(reviews):
    sim, _, _ = reviews
    r = sim.request("GET", "/apis/authorization.k8s.io/v1/subjectaccessreviews")
    assert r.status_code == 405
    assert r.json()["reason"] == "MethodNotAllowed"
    r = sim.request("GET", "/apis/authentication.k8s.io/v1/tokenreviews")
    assert r.status_code == 405
    # and still guarded by the bearer token
    with pytest.raises(ApiException) as e:
        client.AuthenticationV1Api(sim.api_client(token="wrong")).create_token_review(
            client.V1TokenReview(spec=client.V1TokenReviewSpec(token="alice-token")))
    assert e.value.status == 401
