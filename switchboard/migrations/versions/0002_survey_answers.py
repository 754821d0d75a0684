"""surveys are asked and answered: channel, customer key, status, answered_at; one per
conversation

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 07:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("customer_key", sa.String(length=160), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="asked")
        )
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f("ix_surveys_conversation_id"))
        batch_op.create_index(
            batch_op.f("ix_surveys_conversation_id"), ["conversation_id"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_surveys_customer_key"), ["customer_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_customer_key"))
        batch_op.drop_index(batch_op.f("ix_surveys_conversation_id"))
        batch_op.create_index(
            batch_op.f("ix_surveys_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.drop_column("answered_at")
        batch_op.drop_column("status")
        batch_op.drop_column("customer_key")
        batch_op.drop_column("channel")
