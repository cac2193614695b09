async def test_home_renders(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "Deliberate" in response.text
