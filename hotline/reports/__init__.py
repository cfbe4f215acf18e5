"""The centre's reports (layer 6): what the centre did in a period, read from the tickets, calls,
surveys, complaints and the providers' performance ledger (no second copy of the truth), as web
pages, HTML, CSV and XLSX files, with charts drawn on the server as SVG."""
