"""salesfloor bench package."""
