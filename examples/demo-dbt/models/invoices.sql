select * from (values (10, 1, 120.0), (11, 1, 80.0), (12, 3, 42.5)) as t(invoice_id, customer_id, amount)
