"""Fixture profiles are the rig's (phases/rig/profiles.py); Phase 8 reads them from there."""

from phases.rig.errors import ProfileError
from phases.rig.profiles import FINE_OF, CapabilityClass, CapabilityRange, Channel, FixtureProfile, Role, load_profiles

__all__ = ["FINE_OF", "CapabilityClass", "CapabilityRange", "Channel", "FixtureProfile", "ProfileError", "Role", "load_profiles"]
