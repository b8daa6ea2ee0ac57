from tests.smtp import smtp_server, smtp_server_down

__all__ = ["smtp_server", "smtp_server_down"]
