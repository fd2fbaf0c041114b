"""After the day over HTTP: closing, the summary page, its versions and exports."""
