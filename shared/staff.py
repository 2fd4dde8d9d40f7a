"""Who a staff caller is: their staff id, their police region (or national) and their roles, as the police
identity provider's token says. Every service authorizes staff with this; what a role allows is the service's
own domain."""

from __future__ import annotations

from dataclasses import dataclass, field

# The staff token's region of those who work across all regions (matches the identity provider's claim).
NATIONAL = "National"


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    region: str  # a police region's name, or NATIONAL
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_national(self) -> bool:
        return self.region == NATIONAL

    def may_see(self, region: str) -> bool:
        """Staff see their own region's work only; national staff see every region's."""
        return self.region in (NATIONAL, region)

    def has_role(self, role: str) -> bool:
        return role in self.roles
