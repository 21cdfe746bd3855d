"""What mallbatch knows independently of any marketplace's protocol: records, capabilities, couriers, time."""
