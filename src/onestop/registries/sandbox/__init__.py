"""The sandbox state: registries that answer from the platform's own demo tables, fail
on purpose when told to, and take as long as a real one when told to."""
