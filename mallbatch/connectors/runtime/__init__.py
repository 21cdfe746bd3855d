"""The connector runtime: what every marketplace shares, written once (HTTP rules, paging, windows, reads, writes, errors)."""
