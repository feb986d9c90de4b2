"""The nameko dependency that hands each worker its calling :class:`Actor`."""

from nameko.extensions import DependencyProvider

from crm_kit.actor import ACTOR_KEY, Actor


class ActorProvider(DependencyProvider):
    """Injects the calling :class:`Actor` of the current worker (anonymous when none)."""

    def get_dependency(self, worker_ctx) -> Actor:
        return Actor.from_header(worker_ctx.context_data.get(ACTOR_KEY))
