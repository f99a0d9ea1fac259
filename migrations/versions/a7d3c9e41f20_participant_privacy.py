"""participant privacy: publish consent, age confirmation, deletion requests, retention period

Revision ID: a7d3c9e41f20
Revises: 5e1f0a7c2b11
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7d3c9e41f20'
down_revision = '5e1f0a7c2b11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='180', nullable=False))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('age_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deletion_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('deletion_requested_at')
        batch_op.drop_column('age_confirmed_at')
        batch_op.drop_column('publish_consent')

    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_column('retention_days')
