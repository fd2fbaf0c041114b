"""Days and their plans: create a day, versions with If-Match, the rules a change keeps, Excel bodies."""
