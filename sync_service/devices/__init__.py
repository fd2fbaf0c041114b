"""Laptops: enrolment codes, device tokens, who is calling, who may read a day, and the device routes."""
