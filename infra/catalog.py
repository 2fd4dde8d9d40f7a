"""Every service manifest the platform deploys. Add a service here and both renderers pick it up."""

from services.bookings.manifest import MANIFEST as BOOKINGS
from services.feedback.manifest import MANIFEST as FEEDBACK
from services.permits.manifest import MANIFEST as PERMITS
from services.reports.manifest import MANIFEST as REPORTS
from shared.manifest import ServiceManifest

MANIFESTS: tuple[ServiceManifest, ...] = (REPORTS, BOOKINGS, PERMITS, FEEDBACK)
