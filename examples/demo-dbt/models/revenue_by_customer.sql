-- The model the downstream (reverse-ETL) sync sends on.
select c.customer_id, c.name, coalesce(sum(i.amount), 0) as revenue
from {{ ref('customers') }} c
left join {{ ref('invoices') }} i using (customer_id)
group by c.customer_id, c.name
