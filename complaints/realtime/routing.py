"""Websocket routes (config/asgi.py wraps them in AllowedHostsOriginValidator + AuthMiddlewareStack)."""

from django.urls import path

from complaints.realtime.consumers import QueueConsumer

websocket_urlpatterns = [
    path("ws/queue/", QueueConsumer.as_asgi()),
]
