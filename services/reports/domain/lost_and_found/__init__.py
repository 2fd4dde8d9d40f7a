"""Lost and found property (hittegods): items handed in at a police reception, matched to loss and theft
reports, and the statutory deadlines that decide who may take an item nobody claims.

The rules (lagen (1938:121) om hittegods, as docs/domain/deadlines.md summarises it):

- A found item is registered at a reception; the finder gets a receipt.
- A known owner is told and has **1 month** to claim it. If no owner claims it within **3 months** of
  registration, the finder may take it if they asked to, after paying the police's costs within **1 month**;
  otherwise it goes to the state. Items found in a shop, bus or train belong to that business as finder.
- Periods are counted in calendar months as Swedish law counts them (lag (1930:173) om beräkning av
  lagstadgad tid, 2 §): a period of n months that starts on a day ends on the day with the same number
  n months later, or on the last day of that month if it is shorter (31 January + 1 month → 28/29 February).
  Days are Swedish (Europe/Stockholm) days; a period ends when its last day ends. A last day on a weekend or
  holiday is not moved.
- A told owner's month is never cut short: the 3-month track starts when both the 3 months and the owner's
  month have ended. The finder's month starts on the day the owner's time ended.
- A passport or national ID card never goes to the finder (a lost one is blocked when reported).

Staff handle found items only with the role ``reception``, and every action leaves an audit record (see
:mod:`services.reports.domain.reception`).

Matching (see :mod:`.matching`): an identifying number (serial number, IMEI, frame number; compared
letters and digits only, case-insensitively) named by **one** owner, in open loss reports or in theft reports
(closed ones too: a decision not to investigate does not return the property), tells that owner at once.
Otherwise the item is a *possible* match of open loss reports of the same category and region whose loss
period it was found in (from ``occurredFrom`` to 14 days after ``occurredTo``); staff confirm a possible match
before its owner is told.

The found item itself and its periods are the model, :mod:`services.reports.domain.found_item`; the use cases,
one module each: :mod:`.registering`, :mod:`.reading` (the item with its finder's data), :mod:`.searches`
(which reports an item may belong to), :mod:`.matching`, :mod:`.telling_owner`, :mod:`.deadlines` and
:mod:`.handing_over`.
"""
