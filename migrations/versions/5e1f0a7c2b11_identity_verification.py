"""identity verification (issue 12): SMS codes (keyed digests only) and WeChat openid bindings

Revision ID: 5e1f0a7c2b11
Revises: c68f87dc494d
Create Date: 2026-12-01 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1f0a7c2b11'
down_revision = 'c68f87dc494d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('phone_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
    sa.Column('consumed_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=8), server_default='pending', nullable=False),
    sa.Column('sent_ip_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_phone_code_contest_id_contest'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_code'))
    )
    with op.batch_alter_table('phone_code', schema=None) as batch_op:
        batch_op.create_index('ix_phone_code_address_sent', ['sent_ip_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_phone_code_created', ['created_at'], unique=False)
        batch_op.create_index('ix_phone_code_lookup', ['contest_id', 'phone_hash', 'id'], unique=False)
        batch_op.create_index('ix_phone_code_phone_sent', ['phone_hash', 'created_at'], unique=False)

    op.create_table('wechat_binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_wechat_binding_contest_id_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_wechat_binding_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_binding')),
    sa.UniqueConstraint('contest_id', 'openid', name=op.f('uq_wechat_binding_contest_id_openid')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_wechat_binding_participant_id'))
    )


def downgrade():
    op.drop_table('wechat_binding')
    with op.batch_alter_table('phone_code', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_code_phone_sent')
        batch_op.drop_index('ix_phone_code_lookup')
        batch_op.drop_index('ix_phone_code_created')
        batch_op.drop_index('ix_phone_code_address_sent')

    op.drop_table('phone_code')
