"""The file connector: malls without a documented seller API (인터파크 and the 종합몰), reached through their own
upload workbooks (written into ``outbox/<mall>/``) and their order and claim downloads (dropped into ``inbox/``)."""
