"""Friend requests in the desktop client's contacts tab (issue 17): "new friends" lists
incoming requests to accept or decline, and "add friend" asks someone by account — against
a real server, the other people on the Python SDK."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidgetItem

from tests.desktop.conftest import person, qrun
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.desktop.app import DesktopApp
from tidings.desktop.views.friends import AddFriendDialog, FriendRequestsDialog


def test_new_friends_are_accepted_or_declined_and_friends_are_added_by_account(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    carol = person(base_url, "carol")
    dave = person(base_url, "dave")

    async def scenario() -> None:
        panel = desktop.main_panel
        assert panel is not None
        async with (
            carol.client(base_url) as carol_client,
            dave.client(base_url) as dave_client,
            alice.client(base_url) as alice_client,
        ):
            assert panel.new_friends.text() == "👋 New friends"
            await carol_client.request(
                "friends.request", {"user_id": bob.id, "message": "Hi, Carol from sales"}
            )
            await dave_client.request("friends.request", {"user_id": bob.id})
            await eventually(lambda: panel.new_friends.text() == "👋 New friends (2)")

            # The list of requests: newest first, each with accept and decline.
            panel.tabs.setCurrentIndex(1)
            panel.new_friends.click()
            dialog = panel.friend_dialog
            assert isinstance(dialog, FriendRequestsDialog) and dialog.isVisible()
            rows = list(dialog.rows.values())
            assert sorted((r.request.user_id, r.request.message) for r in rows) == sorted(
                [(carol.id, "Hi, Carol from sales"), (dave.id, "")]
            )
            by_user = {r.request.user_id: r for r in rows}

            by_user[carol.id].accept_button.click()
            await eventually(lambda: bob.id in carol_client.state.social.friends)
            await eventually(lambda: by_user[carol.id].outcome.text() == "Accepted")
            by_user[dave.id].decline_button.click()
            await eventually(lambda: not dave_client.state.social.outgoing_requests)
            assert bob.id not in dave_client.state.social.friends
            await eventually(lambda: by_user[dave.id].outcome.text() == "Declined")
            await eventually(lambda: panel.new_friends.text() == "👋 New friends")
            dialog.close()

            # Carol is a friend now, in the contacts tab, her avatar's dot green (online).
            def carol_item() -> QTreeWidgetItem | None:
                return next(
                    (
                        i
                        for i in panel.people_items()
                        if i.data(0, Qt.ItemDataRole.UserRole) == ("user", carol.id)
                    ),
                    None,
                )

            session = desktop.session
            assert session is not None
            await eventually(carol_item)
            await eventually(lambda: session.online(carol.id) is True)
            item = carol_item()
            assert item is not None and item.parent() is panel.tree.topLevelItem(0)
            image = item.icon(0).pixmap(QSize(56, 56)).toImage()
            dot = QColor(image.pixelColor(image.width() * 24 // 28, image.height() * 24 // 28))
            assert (dot.red(), dot.green(), dot.blue()) == (0x52, 0xC4, 0x1A)
            assert [i.text(0) for i in panel.people_items()].count("Carol") == 1

            # Adding Alice by her account (any case): she gets the request with its words.
            panel.add_friend.click()
            adding = panel.friend_dialog
            assert isinstance(adding, AddFriendDialog)
            adding.account.setText(alice.account.upper())
            adding.message.setText("Bob from the desktop")
            adding.send_button.click()
            await eventually(lambda: adding.outcome.text() == "Request sent")
            asked = await eventually(
                lambda: list(alice_client.state.social.incoming_requests.values())
            )
            assert [(a["from_user"]["id"], a["message"]) for a in asked] == [
                (bob.id, "Bob from the desktop")
            ]

            # An account nobody has is said so, and nothing is sent.
            adding.account.setText("nobody-has-this-account")
            adding.send_button.click()
            await eventually(lambda: adding.outcome.text() == "No one has this account")
            assert adding.send_button.isEnabled()
            adding.close()

    qrun(loop, scenario())
