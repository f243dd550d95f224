"""Notifiers: the WeCom group robot and (later) SMTP, fed by the notification queue in the database."""
