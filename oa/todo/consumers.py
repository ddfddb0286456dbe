from channels.generic.websocket import AsyncJsonWebsocketConsumer


class TodoConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.close()
