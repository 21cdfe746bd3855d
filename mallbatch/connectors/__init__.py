"""One connector per marketplace, each declared as a spec on the shared runtime (:mod:`.runtime`)."""
