"""Inbound SMS/WhatsApp handlers registered with notifications (see issue: SMS and WhatsApp)."""
