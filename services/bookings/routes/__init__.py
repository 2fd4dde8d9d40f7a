"""The bookings API, one router per audience; ``services.bookings.api`` includes them all."""
