-- What the Stripe and HubSpot syncs would have landed, as a few literal rows.
select * from (values (1, 'Ada', 'stripe'), (2, 'Grace', 'hubspot'), (3, 'Edsger', 'stripe')) as t(customer_id, name, source)
